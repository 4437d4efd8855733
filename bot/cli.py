"""`helpdesk`: the project's command line (knowledge base, model, database, staff users, console)."""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.settings import get_settings


def _kb_check(args: argparse.Namespace) -> int:
    from bot.knowledge.validation import KnowledgeError, validate_knowledge

    settings = get_settings()
    try:
        articles = validate_knowledge(settings.knowledge_dir, min_examples=args.min_examples)
    except KnowledgeError as error:
        print(f"The knowledge base has {len(error.problems)} problem(s):", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"{len(articles)} articles OK in {settings.knowledge_dir}")
    return 0


def _kb_build(args: argparse.Namespace) -> int:
    from bot.knowledge.validation import KnowledgeError
    from bot.model import build_training_data

    try:
        path = build_training_data(get_settings().knowledge_dir)
    except KnowledgeError as error:
        print("The knowledge base is invalid:\n  " + "\n  ".join(error.problems), file=sys.stderr)
        return 1
    print(f"Wrote {path}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from bot.knowledge.validation import KnowledgeError
    from bot.model import train

    try:
        train(force=args.force)
    except KnowledgeError as error:
        print("The knowledge base is invalid:\n  " + "\n  ".join(error.problems), file=sys.stderr)
        return 1
    return 0


def _publish(args: argparse.Namespace) -> int:
    """Rebuild and retrain from knowledge/, then have the running Rasa server swap to the new model."""
    import os

    import requests

    from bot.knowledge.validation import KnowledgeError
    from bot.model import MODEL_PATH, train

    try:
        train(force=False)
    except KnowledgeError as error:
        print("The knowledge base is invalid:\n  " + "\n  ".join(error.problems), file=sys.stderr)
        return 1
    url = args.rasa_url or os.environ.get("RASA_URL", "http://localhost:5005")
    token = os.environ.get("RASA_TOKEN")
    print(f"Asking the Rasa server at {url} to load {MODEL_PATH.name} (it keeps answering meanwhile)...")
    try:
        response = requests.put(
            f"{url}/model",
            json={"model_file": str(MODEL_PATH)},
            params={"token": token} if token else None,
            timeout=600,
        )
    except requests.RequestException as error:
        print(f"The Rasa server is not reachable ({error}); it will load the new model at its next start.")
        return 0
    if response.status_code != 204:
        print(f"The Rasa server refused the model: {response.status_code} {response.text[:500]}", file=sys.stderr)
        return 1
    print("The running assistant now answers with the new model.")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from bot.evaluation import main as evaluate

    return evaluate()


def _db_upgrade(args: argparse.Namespace) -> int:
    from bot.tickets.migrate import upgrade

    upgrade(get_settings().database_url)
    print("Ticket database is up to date.")
    return 0


def _create_user(args: argparse.Namespace) -> int:
    from bot.console.users import create_staff_user
    from bot.tickets.store import TicketStore, make_engine

    password = args.password or getpass.getpass("Password (8 characters or more): ")
    store = TicketStore(make_engine(get_settings().database_url))
    try:
        create_staff_user(store, args.email, password, role=args.role)
    except ValueError as error:
        print(f"Not created: {error}", file=sys.stderr)
        return 1
    print(f"Created {args.role} {args.email}")
    return 0


def _console(args: argparse.Namespace) -> int:
    from waitress import serve

    from bot.console import create_app

    app = create_app()
    print(f"Console and chat widget on http://{args.host}:{args.port}/", flush=True)
    serve(app, host=args.host, port=args.port, threads=8)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="helpdesk", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    kb = commands.add_parser("kb", help="knowledge base").add_subparsers(dest="kb_command", required=True)
    check = kb.add_parser("check", help="validate knowledge/ and name each problem's file and field")
    check.add_argument("--min-examples", type=int, default=1)
    check.set_defaults(handler=_kb_check)
    kb.add_parser("build", help="write Rasa training data from knowledge/ to build/data/").set_defaults(
        handler=_kb_build
    )

    train = commands.add_parser("train", help="build the training data and train when inputs changed")
    train.add_argument("--force", action="store_true")
    train.set_defaults(handler=_train)

    publish = commands.add_parser("publish", help="retrain from knowledge/ and load the model into the running server")
    publish.add_argument("--rasa-url", help="default: RASA_URL or http://localhost:5005")
    publish.set_defaults(handler=_publish)

    commands.add_parser("eval", help="accuracy on the held-out questions in tests/eval/").set_defaults(handler=_eval)

    db = commands.add_parser("db", help="ticket database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="create or migrate the database").set_defaults(handler=_db_upgrade)

    user = commands.add_parser("create-user", help="create a console user (staff or admin)")
    user.add_argument("email")
    user.add_argument("--role", choices=("staff", "admin"), default="admin")
    user.add_argument("--password", help="omit to be asked without echo")
    user.set_defaults(handler=_create_user)

    console = commands.add_parser("console", help="serve the staff console and the chat widget page")
    console.add_argument("--host", default="127.0.0.1")
    console.add_argument("--port", type=int, default=8000)
    console.set_defaults(handler=_console)

    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
