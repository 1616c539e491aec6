"""Forms of the auth pages."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    login = StringField("Логин", validators=[DataRequired("Введите логин."), Length(max=80)])
    password = PasswordField("Пароль", validators=[DataRequired("Введите пароль.")])
    remember = BooleanField("Запомнить меня")
    submit = SubmitField("Войти")
