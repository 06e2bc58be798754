from django.urls import path

from opencertif.www.public import views

app_name = "public"

urlpatterns = [
    path("", views.search, name="search"),
    path("certificateurs/<id:pk>/", views.certifier, name="certifier"),
    path("<str:number>/", views.certification, name="certification"),
]
