from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from gongkai.core.forms import SignInForm, client_ip
from gongkai.core.services import signin


class SignInView(auth_views.LoginView):
    template_name = "staff/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        signin.signin_record_success(user=form.get_user(), ip_address=client_ip(self.request))
        return response


class SignOutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "staff/password_change.html"
    success_url = reverse_lazy("staff:home")

    def form_valid(self, form):
        messages.success(self.request, "密码已修改。")
        return super().form_valid(form)
