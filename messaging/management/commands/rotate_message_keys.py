"""manage.py rotate_message_keys: re-wrap every conversation's data key
with the current master key (the first of MESSAGING_MASTER_KEYS).

Messages are not rewritten: their data keys stay the same, only the
wrapping changes. To rotate: put a new key first in MESSAGING_MASTER_KEYS
(keep the old ones after it), deploy, run this, then drop the old keys.
`--new-key ID` prints a fresh entry to put first.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from messaging import crypto, services


class Command(BaseCommand):
    help = "Re-wrap every conversation's data key with the current master key."

    def add_arguments(self, parser):
        parser.add_argument("--new-key", metavar="ID", help="Print a new master key entry and stop.")

    def handle(self, *args, new_key=None, **options):
        if new_key:
            if ":" in new_key or "," in new_key:
                raise CommandError("A key id has no ':' or ','.")
            self.stdout.write(crypto.generate_master_key(new_key))
            return
        try:
            current = crypto.current_master_key()
            count = services.rotate_keys()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Re-wrapped {count:,} conversation keys with master key {current.id!r}.")
