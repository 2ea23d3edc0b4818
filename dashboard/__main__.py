"""Command line: ``python -m dashboard <command>``.

  demo          create and seed the demo database (DATABASE_URL, default the embedded SQLite)
  schema-check  compare the live database with dashboard/schema.py; exit 1 on drift
  users add     create a local back-office account, asking for the password without echo
  digest        send each back-office user their role's Attention list through the core (daily cron)
  migrate       create the back-office's read-side tables (rollups) a CRM database lacks
  rollups       refresh every rollup as of now (hourly cron; see dashboard/rollups.py)
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time

from sqlalchemy.exc import OperationalError

from dashboard import db, schema, settings


def _demo(args: argparse.Namespace) -> int:
    from dashboard import demo

    current = settings.load()
    engine = db.engine_for(current.database_url)
    # --- scale (issue #11): the large demo makes its own PostgreSQL database ---
    if args.scale == "large":
        from dashboard import demo_large

        try:
            if demo_large.create_database(engine):
                print(f"Created the database {engine.url.database!r}.")
        except demo.DemoError as error:
            print(error, file=sys.stderr)
            return 1
    if args.if_empty:
        from dashboard import demo_large

        if demo_large.seeded(engine):
            print(f"{engine.url.render_as_string()} is seeded already; left as it is.")
            return 0
    started = time.monotonic()
    try:
        counts = demo.seed(engine, args.scale, args.seed, progress=lambda msg: print(f"  {msg}", flush=True))
    except demo.DemoError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Seeded {engine.url.render_as_string()} at scale {args.scale!r} in "
          f"{time.monotonic() - started:.1f} s: "
          + ", ".join(f"{table} {n:,}" for table, n in counts.items() if n))
    print("Demo sign-ins (password 'zivo-demo'): " + ", ".join(demo.DEMO_ACCOUNTS))
    return 0


def _schema_check(_args: argparse.Namespace) -> int:
    drift = schema.drift(db.primary())
    print(drift.report())
    return 0 if drift.clean else 1


def _users_add(args: argparse.Namespace) -> int:
    from dashboard.auth import accounts

    password = getpass.getpass("Password: ")
    if getpass.getpass("Same password again: ") != password:
        print("The two passwords differ; nothing was created.", file=sys.stderr)
        return 1
    try:
        accounts.create(db.primary(), email=args.email, name=args.name or "", role=args.role, password=password)
    except accounts.AccountError as error:
        print(f"{error} Nothing was created.", file=sys.stderr)
        return 1
    print(f"Created {args.email.strip().lower()} with role {args.role}.")
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    from dashboard import rollups

    created = rollups.migrate(db.primary())
    print("Created " + ", ".join(created) if created else "Nothing to create: every rollup table exists.")
    return 0


def _rollups(_args: argparse.Namespace) -> int:
    from dashboard import clock, rollups

    now = clock.utcnow()
    missing = rollups.missing(db.primary())
    if missing:
        print(f"The rollup tables {', '.join(missing)} do not exist yet: run "
              "`python -m dashboard migrate` first.", file=sys.stderr)
        return 1
    for done in rollups.refresh(db.primary(), now):
        print(f"{done.rollup}: {done.rows:,} rows as of {done.as_of.isoformat()} in {done.seconds:.1f} s")
    return 0


# --- digest ---


def _digest(args: argparse.Namespace) -> int:
    from dashboard import clock, digest
    from dashboard.core import core_for
    from dashboard.core.models import Actor

    current = settings.load()
    core = core_for(current)
    actor = Actor(args.actor, "admin") if args.actor else digest.DIGEST_ACTOR
    try:
        outcome = digest.run(db.primary(), core, clock.utcnow(), actor=actor, base_url=args.base_url,
                             say=lambda line: print(line, flush=True))
    finally:
        core.close()
    if outcome.unreachable is not None:
        print(outcome.unreachable_message, file=sys.stderr)
    print(f"Digest: {len(outcome.sent)} sent, {len(outcome.already_sent)} already sent today, "
          f"{len(outcome.nothing_to_send)} with nothing to send, {len(outcome.refused)} refused.")
    return outcome.exit_code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    demo_cmd = commands.add_parser("demo", help="create and seed the demo database")
    demo_cmd.add_argument("--scale", choices=("small", "demo", "large"), default="demo")
    demo_cmd.add_argument("--seed", type=int, default=7)
    demo_cmd.add_argument("--if-empty", action="store_true",
                          help="seed only a database without workspaces; else leave it as it is")
    demo_cmd.set_defaults(run=_demo)

    check_cmd = commands.add_parser("schema-check", help="report drift from dashboard/schema.py")
    check_cmd.set_defaults(run=_schema_check)

    users_cmd = commands.add_parser("users", help="local back-office accounts")
    users_sub = users_cmd.add_subparsers(dest="users_command", required=True)
    add_cmd = users_sub.add_parser("add", help="create a local account")
    add_cmd.add_argument("--email", required=True)
    add_cmd.add_argument("--role", required=True, choices=("ops", "privacy", "founder", "admin"))
    add_cmd.add_argument("--name")
    add_cmd.set_defaults(run=_users_add)

    digest_cmd = commands.add_parser("digest", help="send each back-office user their Attention list")
    digest_cmd.add_argument("--base-url", default="",
                            help="the back-office's address, e.g. https://backoffice.zivo.in, for the links")
    digest_cmd.add_argument("--actor", help="the system actor's email (default digest@system.zivo)")
    digest_cmd.set_defaults(run=_digest)

    migrate_cmd = commands.add_parser("migrate", help="create the rollup tables a database lacks")
    migrate_cmd.set_defaults(run=_migrate)

    rollups_cmd = commands.add_parser("rollups", help="refresh every rollup (hourly cron)")
    rollups_cmd.set_defaults(run=_rollups)

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except settings.SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    except OperationalError:
        print("The database is unreachable: check DATABASE_URL and that the server is up.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
