from django.contrib import admin
from django.urls import path

from rooms.insights import views

# Mounted at /admin/insights/, before the admin's own URLs. `admin_view` lets only active staff
# in (everyone else goes to the admin login) and marks the answers never cached.
app_name = "insights"
urlpatterns = [
    path("", admin.site.admin_view(views.dashboard), name="dashboard"),
    path("export.csv", admin.site.admin_view(views.export_csv), name="export"),
]
