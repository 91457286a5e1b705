import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_the_demo_editor_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("ensure_demo_editor")
    assert not get_user_model().objects.exists()


def test_the_demo_editor_is_an_editor_with_a_printed_password(settings, capsys):
    settings.DEBUG = True
    call_command("ensure_demo_editor")
    password = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    user = get_user_model().objects.get(username="editor")
    assert user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert user.check_password(password)

    call_command("ensure_demo_editor")  # a second run resets, never duplicates
    assert get_user_model().objects.count() == 1
