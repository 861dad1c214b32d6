from django.contrib.auth import views as auth_views
from django.urls import path

from wuhai_coverage.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/tokens/", views.tokens, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("accounts/my-tokens/issue/", views.own_token_issue, name="own-token-issue"),
    path("accounts/my-tokens/<int:pk>/revoke/", views.own_token_revoke, name="own-token-revoke"),
    path("accounts/lockouts/", views.lockouts, name="lockouts"),
    path("accounts/lockouts/<int:pk>/unlock/", views.lockout_unlock, name="lockout-unlock"),
    path("healthz/", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says: send them to the static icon.
    path("favicon.ico", views.favicon, name="favicon"),
]
