from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "Homme"
    FEMALE = "F", "Femme"
