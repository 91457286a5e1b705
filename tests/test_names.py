"""Every spelling of a name alike: the folding the duplicate guard and the intake rely on."""

import pytest

from agreements.models import Person
from agreements.names import is_similar, name_key, similarity

from .factories import PersonFactory


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Hossein Dehqan", "Hossein Dehghan"),
        ("Hossein Dehqan", "Hussein Dehqan"),
        ("Hossein Dehqan", "Hossein Dehgan"),
        ("Hossein Dehqan", "HOSSEIN DEHGAAN"),
        ("Erfan Mahmoud al-Hayali", "Erfan Mahmoud Al Hayali"),
        ("Erfan Mahmoud al-Hayali", "Erfan Mahmoud el-Hayali"),
        ("Qasem Rezaei", "Ghasem Rezaee"),
        ("Mohammad Bagheri", "Mohammad Baqeri"),
        ("Khaled al-Obeidi", "Khaled al-Obaidi"),
        ("Fouad Hussein", "Fuad Husein"),
        ("Ḥasan", "Hasan"),
    ],
)
def test_transliterations_fold_to_one_key(one, other):
    assert name_key(one) == name_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [("al-Hayali", "al-Hiyali"), ("Khaled al-Obeidi", "Khalid al-Obeidi"), ("Fuad Hussein", "Fouad Hussain")],
)
def test_near_spellings_are_similar(one, other):
    assert is_similar(name_key(one), name_key(other))


@pytest.mark.parametrize(
    ("one", "other"), [("Hossein Dehqan", "Hassan Rouhani"), ("Ali Shamkhani", "Ali Larijani")]
)
def test_different_people_are_not(one, other):
    assert not is_similar(name_key(one), name_key(other))
    assert similarity(name_key(one), name_key(other)) < 80


@pytest.mark.django_db
def test_every_save_keeps_the_key():
    person = PersonFactory(name="Hossein Dehqan")
    assert person.name_key == name_key("Hossein Dehghan")
    person.name = "Ali Shamkhani"
    person.save(update_fields=["name"])
    assert Person.objects.get(pk=person.pk).name_key == name_key("Ali Shamkhani")
