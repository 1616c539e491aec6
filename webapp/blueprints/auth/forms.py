"""Forms of the auth pages."""

from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.blueprints.fields import RuForm


class LoginForm(RuForm):
    login = StringField("Логин", validators=[DataRequired("Введите логин."), Length(max=80)])
    password = PasswordField("Пароль", validators=[DataRequired("Введите пароль.")])
    remember = BooleanField("Запомнить меня")
    submit = SubmitField("Войти")


class PasswordForm(RuForm):
    current = PasswordField("Текущий пароль", validators=[DataRequired("Введите текущий пароль."), Length(max=128)])
    new = PasswordField("Новый пароль", validators=[DataRequired("Введите новый пароль."), Length(max=128)])
    repeat = PasswordField("Новый пароль ещё раз", validators=[DataRequired("Повторите новый пароль."),
                                                               EqualTo("new", "Пароли не совпадают.")])
    submit = SubmitField("Сменить пароль")
