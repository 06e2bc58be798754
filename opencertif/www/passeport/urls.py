from django.urls import path

from opencertif.www import views
from opencertif.www.passeport import signin

app_name = "passeport"

urlpatterns = [
    # ---- the passport's pages (Mes acquis, Mon parcours, Mes compétences, Mon avenir,
    #      Mes CV, share links, my data)
    path("", views.space, {"space": "passport"}, name="home"),
    # ---- sign-in (OpenID Connect, development provider)
    path("connexion/", signin.signin, name="signin"),
    # ---- holders' requests to certifiers (errors, missing certifications)
]
