import factory

from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"student{n}")
    nickname = factory.LazyAttribute(lambda o: o.username[:20])
    email = factory.LazyAttribute(lambda o: f"{o.username}@student.42seoul.kr")
    image_url = factory.LazyAttribute(lambda o: f"https://cdn.intra.42.fr/users/{o.username}.jpg")
    campus = "Seoul"
