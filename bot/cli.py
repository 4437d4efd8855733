"""`helpdesk`: the project's command line (knowledge base, model, database, staff users, console)."""

from __future__ import annotations

import argparse
import getpass
import signal
import sys

from bot.settings import Settings, get_settings
from bot.var.folder import secure


def _kb_check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge.validation import KnowledgeError, validate_knowledge

    try:
        articles = validate_knowledge(settings.knowledge_dir, min_examples=args.min_examples, require_citations=True)
    except KnowledgeError as error:
        print(f"The knowledge base has {len(error.problems)} problem(s):", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"{len(articles)} articles OK in {settings.knowledge_dir}")
    return 0


def _kb_build(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge.validation import KnowledgeError
    from bot.training.model import build_training_data

    try:
        path = build_training_data(settings.knowledge_dir)
    except KnowledgeError as error:
        print("The knowledge base is invalid:\n  " + "\n  ".join(error.problems), file=sys.stderr)
        return 1
    print(f"Wrote {path}")
    return 0


def _train(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge.validation import KnowledgeError
    from bot.training.model import train

    try:
        train(settings.knowledge_dir, force=args.force)
    except KnowledgeError as error:
        print("The knowledge base is invalid:\n  " + "\n  ".join(error.problems), file=sys.stderr)
        return 1
    return 0


def _record_file_changes(settings: Settings) -> None:
    """Articles changed in the folder since the history last read it become revisions (bot/knowledge/history.py)."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.database import Database
    from bot.knowledge.history import ArticleHistory

    database = Database.connect(settings.database_url)
    try:
        recorded = ArticleHistory(database).sync(settings.knowledge_dir)
    except SQLAlchemyError as error:  # a database not migrated yet: publishing does not need the history
        print(f"Article history not updated ({error.__class__.__name__}): run `helpdesk db upgrade`", file=sys.stderr)
        return
    finally:
        database.dispose()
    if recorded:
        print(f"Recorded {len(recorded)} changed article(s) in the history.", flush=True)


def _publish(args: argparse.Namespace, settings: Settings) -> int:
    """Rebuild and retrain from knowledge/, then have the running Rasa server swap to the new model."""
    from bot.training.model import MODEL_PATH, train
    from bot.training.publishing import PublishJob, PublishStatus
    from bot.var.tokens import rasa_api_token

    url = (args.rasa_url or settings.rasa.server_url).rstrip("/")
    said = {
        "checking": "Checking the knowledge base...",
        "building": "Building the training data...",
        "loading": f"Asking the Rasa server at {url} to load {MODEL_PATH.name} (it keeps answering meanwhile)...",
    }

    def report(status: PublishStatus) -> None:
        if status.stage in said:
            print(said[status.stage], flush=True)

    _record_file_changes(settings)
    job = PublishJob(
        knowledge_dir=settings.knowledge_dir,
        rasa_url=url,
        rasa_token=rasa_api_token(settings),
        train=lambda directory, on_line: train(directory, force=False),
        on_change=report,
    )
    status = job.run()
    if status.stage == "failed":
        print(f"Not published: {status.reason}", file=sys.stderr)
        for problem in status.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(status.note or "The running assistant now answers with the new model.")
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.training.evaluation import main as evaluate

    return evaluate()


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from bot.migrations import upgrade

    upgrade(settings.database_url)
    print("Ticket database is up to date.")
    return 0


def _create_user(args: argparse.Namespace, settings: Settings) -> int:
    from bot.accounts.users import create_staff_user
    from bot.database import Database

    password = args.password or getpass.getpass("Password (8 characters or more): ")
    database = Database.connect(settings.database_url)
    try:
        create_staff_user(database, args.email, password, role=args.role)
    except ValueError as error:
        print(f"Not created: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(f"Created {args.role} {args.email}")
    return 0


def _create_token(args: argparse.Namespace, settings: Settings) -> int:
    from bot.accounts import api_tokens
    from bot.accounts.users import find_user
    from bot.database import Database

    database = Database.connect(settings.database_url)
    try:
        user = find_user(database, args.email)
        if user is None:
            raise ValueError(f"no console account {args.email}: create it first with `helpdesk create-user`")
        token = api_tokens.issue(database, user.id, args.name)
    except ValueError as error:
        print(f"Not created: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(f"API token for {user.email} ({user.role}); it is shown only this once:\n{token}")
    return 0


def _endpoints(args: argparse.Namespace, settings: Settings) -> int:
    """Write Rasa's endpoints from the environment (bot/rasa_server/endpoints.py); print its path for `rasa run`."""
    from pathlib import Path

    from bot.rasa_server.endpoints import (
        EndpointsError,
        default_output,
        endpoints_config,
        single_server_settings,
        write_endpoints,
    )

    try:
        config = endpoints_config(settings)
    except EndpointsError as error:
        print(f"Cannot build Rasa's endpoints: {error}", file=sys.stderr)
        return 1
    problems = single_server_settings(settings) if args.shared else []
    if problems:
        print("Not for several Rasa servers (docs/scale-out.md):\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(write_endpoints(Path(args.output) if args.output else default_output(settings), config))
    return 0


def _purge_transcripts(args: argparse.Namespace, settings: Settings) -> int:
    """Delete the conversations whose last event is older than the retention period from Rasa's tracker store."""
    from datetime import datetime, timezone
    from pathlib import Path

    from sqlalchemy.exc import SQLAlchemyError

    from bot.conversations.retention import purge_transcripts
    from bot.conversations.transcripts import tracker_store_url

    try:
        days = args.older_than_days if args.older_than_days is not None else settings.retention.transcript_days
    except ValueError as error:
        print(f"Not purged: {error}", file=sys.stderr)
        return 2
    if days < 1:
        print("Not purged: --older-than-days must be 1 or more.", file=sys.stderr)
        return 2
    url = tracker_store_url(settings)
    if url is None:
        where = settings.rasa.endpoints or "the environment"
        print(f"Not purged: {where} configures no SQL tracker store (or cannot be read).", file=sys.stderr)
        return 1
    where = url.render_as_string(hide_password=True)
    if url.drivername.startswith("sqlite") and not Path(url.database or "").exists():
        print(f"No conversation to purge: the tracker store {where} does not exist yet.")
        return 0
    try:
        result = purge_transcripts(url, days, dry_run=args.dry_run)
    except SQLAlchemyError as error:
        print(f"Not purged: the tracker store {where} failed: {error}", file=sys.stderr)
        return 1
    before = datetime.fromtimestamp(result.cutoff, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    verb = "Would remove" if args.dry_run else "Removed"
    print(
        f"{verb} {result.conversations} conversation(s), {result.events} event(s), whose last event is older than "
        f"{days} days (before {before}), from {where}."
    )
    return 0


def _outbox_drain(args: argparse.Namespace, settings: Settings) -> int:
    """Move the tickets kept while the ticket database was unreachable to the store (bot/tickets/offline_outbox.py)."""
    from bot.database import Database
    from bot.tickets.offline_outbox import TicketOutbox, drain
    from bot.tickets.store import TicketStore

    outbox = TicketOutbox.from_settings(settings)
    database = Database.connect(settings.database_url)
    try:
        result = drain(outbox, TicketStore.from_settings(settings, database))
    finally:
        database.dispose()
    if not result.delivered and not result.waiting:
        print(f"The outbox {outbox.path} is empty: nothing to deliver.")
        return 0
    if result.delivered:
        print(f"Delivered {len(result.delivered)} ticket(s) to the store: {', '.join(result.delivered)}")
    for reference, reason in result.waiting.items():
        print(f"Still in the outbox: {reference} ({reason})", file=sys.stderr)
    return 1 if result.waiting else 0


def _mail_send(args: argparse.Namespace, settings: Settings) -> int:
    """Send what the mail outbox holds now (the action server does it every MAIL_SEND_SECONDS)."""
    from bot.database import Database
    from bot.mail.outbox import MailOutbox
    from bot.mail.smtp import SmtpServer, SmtpUrlError
    from bot.mail.worker import send_due

    try:
        server = SmtpServer.from_url(settings.mail.server_url)
    except SmtpUrlError as error:
        print(error, file=sys.stderr)
        return 2
    database = Database.connect(settings.database_url)
    try:
        report = send_due(MailOutbox(database), server, settings.mail.sender, settings.mail.reply_to or None)
    finally:
        database.dispose()
    print(f"Sent {len(report.sent)} e-mail(s) through {server.host}:{server.port}.")
    for mail_id, reason in {**report.retrying, **report.failed}.items():
        state = "failed" if mail_id in report.failed else "waiting"
        print(f"E-mail {mail_id} {state}: {reason}", file=sys.stderr)
    return 1 if report.retrying or report.failed else 0


def _mail_catch(args: argparse.Namespace, settings: Settings) -> int:
    """The local mail catcher `make run` starts; idle when SMTP_URL sends for real (honcho stops all on an exit)."""
    if not settings.mail.catching:
        print("SMTP_URL is set: e-mails go to that server, no mail catcher runs.", flush=True)
        signal.pause()
        return 0
    from bot.mail.catcher import serve

    path, port = settings.var_dir / "mail", args.port or settings.mail.catcher_port
    print(f"Mail catcher on smtp://127.0.0.1:{port}, keeping messages in {path}", flush=True)
    serve(path, port)
    return 0


def _mail_receive(args: argparse.Namespace, settings: Settings) -> int:
    """Take partners' e-mail answers into their tickets (bot/tickets/email_answers.py) until interrupted."""
    from bot.database import Database
    from bot.mail.receiver import controller
    from bot.tickets.email_answers import AttachmentRules, receive

    database = Database.connect(settings.database_url)
    rules = AttachmentRules(
        settings.var_dir / "attachments", settings.mail.attachment_types, settings.mail.attachment_max_bytes
    )
    replies = {
        "added": "250 2.0.0 Added to {reference}",
        "ignored": "250 2.0.0 Automatic reply, not added to {reference}",
        "empty": "250 2.0.0 Nothing written, not added to {reference}",
        "bounced": "250 2.0.0 Delivery failure noted on {reference}",
        "unmatched": "550 5.1.1 This message answers no request of ours: write to the help desk from the e-mail "
        "address of your request, with its reference (HD-…) in the subject",
    }

    def deliver(raw: bytes) -> str:
        received = receive(database.sessions, raw, rules)
        return replies[received.outcome].format(reference=received.reference or "any request")

    port = args.port or settings.mail.inbound_port
    server = controller(deliver, port, lmtp=args.lmtp)
    server.start()
    print(f"Receiving partners' answers by {'LMTP' if args.lmtp else 'SMTP'} on 127.0.0.1:{port}", flush=True)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        database.dispose()
    return 0


def _console(args: argparse.Namespace, settings: Settings) -> int:
    from waitress import serve

    from bot.console import create_app

    host, port = args.host or settings.console.host, args.port or settings.console.port
    app = create_app(settings)
    print(f"Console and chat widget on http://{host}:{port}/", flush=True)
    serve(app, host=host, port=port, threads=8)
    return 0


def _rasa(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from bot.rasa_server.endpoints import EndpointsError
    from bot.rasa_server.launch import NotSafeToStart, prepare, run

    try:
        arguments = prepare(
            settings, args.port or settings.rasa.port, args.shared, Path(args.endpoints) if args.endpoints else None
        )
    except (EndpointsError, NotSafeToStart) as error:
        print(f"The Rasa server was not started: {error}", file=sys.stderr)
        return 1
    run(arguments, settings)
    return 0


def _actions(args: argparse.Namespace, settings: Settings) -> int:
    from actions.server import serve  # the action server's own package: only this command starts it

    rasa = settings.rasa
    serve(settings, args.host or rasa.action_server_host, args.port or rasa.action_server_port)
    return 0


def _translate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import catalogue

    if args.translate_command == "extract":
        template = catalogue.write_template()
        print(f"{len(template)} texts found in the console's code: {catalogue.TEMPLATE}")
        return 0
    if args.translate_command == "update":
        for result in catalogue.update():
            path = catalogue.po_path(result.language)
            print(f"{path}: {result.added} new text(s) to translate, {result.removed} removed")
        left = catalogue.problems()
        for problem in left:
            print(f"  {problem}")
        return 0
    written = catalogue.compile_catalogues()
    print("Compiled " + ", ".join(str(path) for path in written))
    left = [problem for problem in catalogue.problems() if "compile" not in problem]
    for problem in left:
        print(f"  shown in English until translated: {problem}", file=sys.stderr)
    return 1 if left else 0


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
    publish.add_argument("--rasa-url", help="default: RASA_SERVER_URL, else RASA_URL, else http://localhost:5005")
    publish.set_defaults(handler=_publish)

    commands.add_parser("eval", help="accuracy on the held-out questions in tests/system/eval/").set_defaults(
        handler=_eval
    )

    db = commands.add_parser("db", help="ticket database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="create or migrate the database").set_defaults(handler=_db_upgrade)

    user = commands.add_parser("create-user", help="create a console user (staff or admin)")
    user.add_argument("email")
    user.add_argument("--role", choices=("staff", "admin"), default="admin")
    user.add_argument("--password", help="omit to be asked without echo")
    user.set_defaults(handler=_create_user)

    token = commands.add_parser("create-token", help="issue a JSON API token that acts as a console account")
    token.add_argument("email", help="the console account the token acts as")
    token.add_argument("--name", required=True, help="where the token is used, e.g. 'CRM sync'")
    token.set_defaults(handler=_create_token)

    endpoints = commands.add_parser(
        "endpoints", help="write Rasa's endpoints from the environment (stores, lock store, action server)"
    )
    endpoints.add_argument("--output", "-o", help="default: $HELPDESK_VAR_DIR/endpoints.yml")
    endpoints.add_argument(
        "--shared", action="store_true", help="refuse settings that work for one Rasa server only (scale-out)"
    )
    endpoints.set_defaults(handler=_endpoints)

    purge = commands.add_parser(
        "purge-transcripts",
        help="delete from Rasa's tracker store the conversations whose last event is older than N days",
    )
    purge.add_argument("--older-than-days", type=int, metavar="N", help="default: TRANSCRIPT_RETENTION_DAYS, else 90")
    purge.add_argument("--dry-run", action="store_true", help="only count what would be removed")
    purge.set_defaults(handler=_purge_transcripts)

    outbox = commands.add_parser("outbox", help="tickets kept while the ticket database was unreachable")
    outbox_commands = outbox.add_subparsers(dest="outbox_command", required=True)
    outbox_commands.add_parser("drain", help="deliver them to the ticket store now (once each)").set_defaults(
        handler=_outbox_drain
    )

    mail = commands.add_parser("mail", help="e-mail to partners")
    mail_commands = mail.add_subparsers(dest="mail_command", required=True)
    mail_commands.add_parser("send", help="send what the mail outbox holds now").set_defaults(handler=_mail_send)
    catch = mail_commands.add_parser("catch", help="run the local mail catcher (no SMTP_URL: `make run` starts it)")
    catch.add_argument("--port", type=int, default=None, help="default: MAIL_CATCHER_PORT")
    catch.set_defaults(handler=_mail_catch)
    receive = mail_commands.add_parser("receive", help="take partners' e-mail answers into their tickets")
    receive.add_argument("--port", type=int, default=None, help="default: MAIL_INBOUND_PORT")
    receive.add_argument("--lmtp", action="store_true", help="speak LMTP (as Postfix's lmtp transport) not SMTP")
    receive.set_defaults(handler=_mail_receive)

    console = commands.add_parser("console", help="serve the staff console and the chat widget page")
    console.add_argument("--host", help="default: CONSOLE_HOST (127.0.0.1)")
    console.add_argument("--port", type=int, help="default: CONSOLE_PORT (8000)")
    console.set_defaults(handler=_console)

    actions = commands.add_parser("actions", help="serve the custom actions to the Rasa server (rasa-sdk)")
    actions.add_argument("--host", help="default: ACTION_SERVER_HOST (127.0.0.1)")
    actions.add_argument("--port", type=int, help="default: ACTION_SERVER_PORT (5055)")
    actions.set_defaults(handler=_actions)

    rasa = commands.add_parser("rasa", help="serve the assistant (rasa run) on loopback, its HTTP API behind a token")
    rasa.add_argument("--port", type=int, help="default: RASA_PORT, else 5005")
    rasa.add_argument("--endpoints", help="where to write Rasa's endpoints (default: $HELPDESK_VAR_DIR/endpoints.yml)")
    rasa.add_argument(
        "--shared", action="store_true", help="refuse settings that work for one Rasa server only (scale-out)"
    )
    rasa.set_defaults(handler=_rasa)

    translate = commands.add_parser("translate", help="the console's French texts (gettext catalogues)")
    translate_commands = translate.add_subparsers(dest="translate_command", required=True)
    translate_commands.add_parser("extract", help="list the texts marked in the console's code (messages.pot)")
    translate_commands.add_parser("update", help="merge them into each .po: new texts to translate, old ones out")
    translate_commands.add_parser("compile", help="compile each .po into the .mo the console reads")
    translate.set_defaults(handler=_translate)

    args = parser.parse_args(argv)
    try:
        settings = get_settings()  # read once here, then handed to the command
    except ValueError as error:  # a setting that cannot be read: say which, before any command starts
        print(f"helpdesk: {error}", file=sys.stderr)
        return 2
    secure(settings.var_dir)  # tickets, transcripts, tokens: readable by this account only
    return args.handler(args, settings)


if __name__ == "__main__":
    sys.exit(main())
