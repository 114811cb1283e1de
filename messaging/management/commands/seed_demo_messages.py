"""`manage.py seed_demo_messages`: conversations for the demo account, so
that `./dev run` shows the inbox as someone who uses it would see it.

Runs after `seed_demo` (it needs the demo account and its follows) and
goes through messaging.services and media.services like a person would:
messages are encrypted at rest, the picture is processed by the worker.
"""

import io
import random

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from PIL import Image, ImageDraw

from accounts.models import Follow, User
from media import services as media_services
from tweets.management.commands.seed_demo import DEMO_USERNAME

from ... import crypto, services
from ...models import Conversation

# Who says what, in turn: the friend first, then the demo account.
DIALOGUES = [
    [
        "Are you coming to the meetup on Thursday?",
        "Planning to! Is it at the same place as last time?",
        "Same place, 7pm. I'll save you a seat 🙂",
        "Perfect, see you there.",
        "Bring the slides from your talk if you still have them",
    ],
    [
        "That thread you posted this morning was great",
        "Thanks! It took me three drafts",
        "Worth it. Can I quote a bit of it in my newsletter?",
    ],
    [
        "Quick question: which keyboard did you end up buying?",
        "The split one in the end. Two weeks in and my wrists are happier.",
        "Noted. Hard to get used to?",
        "A week of typos, then fine.",
    ],
]
GROUP_TITLE = "Weekend hike ⛰️"
GROUP_LINES = [
    "Saturday looks dry. Who's in?",
    "In! Same trail as in spring?",
    "Let's do the ridge this time, it's longer but the view is worth it",
    "I'll bring snacks",
    "Meeting at the station at 8?",
]
REQUEST_TEXT = "Hi! We met at the conference last month. Mind if I ask you something about your last post?"


def _picture(rng: random.Random) -> ContentFile:
    """A small landscape (sky, sun, hills) as a PNG, drawn here: no file to ship."""
    width, height = 1200, 800
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = y / height
        sky = (int(250 - 90 * shade), int(170 - 60 * shade), int(90 + 120 * shade))
        draw.line([(0, y), (width, y)], fill=sky)
    sun = rng.randint(150, 900)
    draw.ellipse((sun, 200, sun + 160, 360), fill=(255, 224, 130))
    for n, colour in enumerate([(70, 110, 90), (50, 85, 70), (35, 60, 50)]):
        base = 520 + n * 90
        ridge = [(0, base), (400, base - 120), (800, base - 40), (width, base - 160)]
        draw.polygon([(0, height), *ridge, (width, height)], fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return ContentFile(out.getvalue(), name="hike.png")


class Command(BaseCommand):
    help = "Give the demo account conversations: one-to-one, a group, a message request and a picture."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42, help="Random seed: same seed, same choices (42).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if there are conversations.")

    def handle(self, *args, **options):
        if not crypto.is_configured():
            raise CommandError("Set MESSAGING_MASTER_KEYS first: messages are stored encrypted.")
        if options["if_empty"] and Conversation.objects.exists():
            self.stdout.write("There are conversations already: nothing seeded (--if-empty).")
            return
        demo = User.objects.filter(username=DEMO_USERNAME).first()
        if demo is None:
            raise CommandError(f"No @{DEMO_USERNAME} account: run seed_demo first.")
        rng = random.Random(options["seed"])
        with transaction.atomic():
            made = self._seed(rng, demo)
        self.stdout.write(self.style.SUCCESS(f"Seeded {made} conversations for @{demo.username}."))

    def _seed(self, rng: random.Random, demo: User) -> int:
        follows = set(Follow.objects.filter(follower=demo).values_list("followee_id", flat=True))
        followers = set(Follow.objects.filter(followee=demo).values_list("follower_id", flat=True))
        active = User.objects.filter(is_active=True).exclude(pk=demo.pk).order_by("pk")
        # Both follow each other: their messages land in the inbox, not in requests.
        mutuals = list(active.filter(pk__in=follows & followers))
        strangers = list(active.exclude(pk__in=follows).exclude(is_staff=True))
        rng.shuffle(mutuals)
        if len(mutuals) < len(DIALOGUES) + 3 or not strangers:
            raise CommandError("The demo account needs more mutual follows: run seed_demo first.")
        made = 0
        for n, (friend, lines) in enumerate(zip(mutuals, DIALOGUES, strict=False)):
            conversation = services.start_conversation(friend, [demo])
            for turn, line in enumerate(lines):
                services.send_message(demo if turn % 2 else friend, conversation.pk, line)
            if n:  # the first one stays unread, as a new message would
                services.mark_read(demo, conversation.pk)
            made += 1
        hikers = mutuals[len(DIALOGUES) : len(DIALOGUES) + 3]
        group = services.start_conversation(demo, hikers, title=GROUP_TITLE)
        people = [demo, *hikers]
        for turn, line in enumerate(GROUP_LINES):
            services.send_message(people[turn % len(people)], group.pk, line)
        picture = media_services.upload(
            hikers[0], _picture(rng), description="Hills at sunset, seen from the ridge"
        )
        services.send_message(hikers[0], group.pk, "From the last time we went", media=[str(picture.pk)])
        made += 1
        stranger = rng.choice(strangers)
        request = services.start_conversation(stranger, [demo])
        services.send_message(stranger, request.pk, REQUEST_TEXT)
        return made + 1
