"""`helpdesk rasa` hands its settings to Rasa's own command-line parser: whatever the token, Rasa reads it back."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from rasa.cli import run as rasa_run

from bot.rasa_server.launch import rasa_arguments
from tests.support.settings import settings_with


def parsed(arguments: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    rasa_run.add_subparser(parser.add_subparsers(), parents=[])
    return parser.parse_args(arguments)


@pytest.mark.parametrize("token", ["plain-token", "-starts-with-a-dash", "--looks-like-an-option"])
def test_rasa_reads_back_the_token_whatever_it_starts_with(token: str) -> None:
    # secrets.token_urlsafe, which makes the token when none is set, begins with "-" one time in 64.
    args = parsed(rasa_arguments(settings_with(), 5005, Path("endpoints.yml"), token))
    assert args.auth_token == token
    assert (args.port, args.enable_api) == (5005, True)
