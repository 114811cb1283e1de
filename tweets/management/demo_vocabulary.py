# ruff: noqa: RUF001 - the demo vocabulary has CJK punctuation and Turkish letters on purpose.
"""The words seed_demo builds its people and tweets from.

Written compactly and parsed once at import: "a | b | c" is a list of
options, a block of lines is a list of templates.
"""


def _options(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|"))


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _topic(tags: str, bio: str, lines: str, **words: str) -> dict:
    """A topic: its hashtags, profile phrases, tweet templates and the words for their {slots}."""
    return {
        "tags": _words(tags),
        "bio": _options(bio),
        "lines": tuple(line.strip() for line in lines.strip().splitlines()),
        "words": {slot: _options(options) for slot, options in words.items()},
    }


# Hashtags, most used first: a tag's weight is 1 / rank (Zipf).
TAGS = _words(
    "python coffee nowplaying ai caturday webdev photography running booktwitter travel foodie "
    "django opensource dogsoftwitter movies f1 gardening javascript nba hiking baking sunset vinyl "
    "amreading climate rustlang 100daysofcode gamedev worldcup marathon mondaymotivation"
)
TAG_WEIGHT = {tag: 1 / (rank + 1) for rank, tag in enumerate(TAGS)}
# How some people write them; the tag itself is stored in lower case.
TAG_CAMEL_CASE = {tag.lower(): tag for tag in _words(
    "NowPlaying AI WebDev BookTwitter DogsOfTwitter F1 NBA AmReading 100DaysOfCode GameDev WorldCup "
    "MondayMotivation Python Django Coffee Travel"
)}  # fmt: skip

# A user has two or three topics, so a profile's tweets hang together.
# "{tool2}" takes a different word from "tool" than "{tool}" does.
TOPICS = {
    "code": _topic(
        "python webdev django opensource javascript rustlang 100daysofcode",
        "Writes Python for a living | Web developer | Open source on weekends",
        """
        Finally got {tool} working with {tool2} after {time}.
        Hot take: {tool} is underrated for {task}.
        Spent {time} chasing a bug that turned out to be {cause}.
        Shipped {feature} today. Small change, big relief.
        Today I learned that {fact}.
        Code review tip: {tip}.
        Pair programming session went great: we deleted more code than we wrote.
        Does every project end up needing {tool} for {task}, or is it just mine?
        Migrating our {task} setup to {tool}. Wish me luck.
        The best documentation for {tool} is still its source code.
        """,
        tool="Django | PostgreSQL | Redis | htmx | pytest | Celery | Rust | TypeScript | Docker | SQLite "
        "| Neovim | ruff | Tailwind | FastAPI",
        time="two hours | an entire afternoon | three days | all weekend | twenty minutes",
        cause="a missing comma | a timezone | caching | an off-by-one error | DNS | a stale migration",
        feature="dark mode | the new search page | keyboard shortcuts | a 2x faster import | CSV export",
        task="background jobs | full-text search | testing | caching | deployments",
        fact="Python dicts keep insertion order | PostgreSQL can index JSON "
        "| git bisect can run your tests for you | CSS has container queries now "
        "| you can undo almost anything in git with the reflog",
        tip="review the tests first | ask questions instead of giving orders "
        "| small PRs get better reviews | praise good code too",
    ),
    "ai": _topic(
        "ai",
        "Thinks about AI a lot | ML engineer by day | Curious about language models",
        """
        Asked an AI model to {task} and it {result}.
        Every AI demo looks magical until you try it on {data}.
        Unpopular opinion: most AI features should just be {alt}.
        Reading a paper on {topic}. The appendix is better than the abstract.
        Evaluations matter more than the model. Measure {metric} before you ship.
        Used AI to {task} today and saved {time}. Still checked every line.
        The hard part of machine learning is still {hard}.
        """,
        task="write unit tests | summarise a 40-page report | plan a trip to Lisbon | explain a regex "
        "| name my cat | draft an email to my landlord",
        result="nailed it | confidently got it wrong | did better than I would have | wrote a poem instead "
        "| asked a great follow-up question",
        data="real customer data | messy spreadsheets | handwritten notes | anything in Portuguese",
        alt="a good search box | a well-written FAQ | better defaults | a regular expression",
        topic="retrieval | model evaluation | small language models | interpretability",
        metric="accuracy on your own data | latency | how often it refuses | cost per request",
        time="an hour | half a day | twenty minutes",
        hard="getting clean data | knowing when you're wrong | deployment | explaining it to your boss",
    ),
    "games": _topic(
        "gamedev",
        "Makes small games | Indie game dev | Retro games collector",
        """
        Day {n} of building my {genre} game: {progress}.
        Finally beat {game}. I need to lie down.
        Game jam this weekend! The theme is "{theme}".
        Playtesters found {bug} in five minutes. Humbling.
        Watched a speedrun of {game} and now I want to try it myself.
        """,
        n="3 | 12 | 47 | 100",
        genre="puzzle | roguelike | cozy farming | platformer",
        progress="the jump finally feels right | added a tiny frog | rewrote the save system",
        game="Hollow Knight | Celeste | Tetris 99 | Outer Wilds | Stardew Valley",
        theme="only one button | it's alive | tiny world | out of time",
        bug="a way to walk through walls | an infinite money glitch | a door that eats players",
    ),
    "coffee": _topic(
        "coffee",
        "Coffee snob ☕ | Runs on espresso | Home barista",
        """
        First {drink} of the day and I can finally see colours again.
        Tried a new {origin} roast this morning. {verdict}
        Hot take: {take}.
        My {gear} broke and honestly I'm not okay.
        Found a tiny café that does a perfect {drink}. Not telling anyone where.
        {count} coffees before noon. Is that a lot? Asking for a friend.
        """,
        drink="flat white | espresso | cortado | pour-over | cold brew | oat latte",
        origin="Ethiopian | Colombian | Kenyan | Guatemalan | Rwandan",
        verdict="Blueberries, somehow. | Bright and a bit nutty. Love it. | Not for me, too sour. "
        "| Dangerously good.",
        take="iced coffee is a year-round drink | decaf deserves respect "
        "| the grinder matters more than the machine | milk is not a crime",
        gear="grinder | espresso machine | favourite mug | AeroPress",
        count="Three | Four | Two",
    ),
    "food": _topic(
        "foodie baking",
        "Home cook | Sourdough enthusiast | Will travel for noodles",
        """
        Made {dish} from scratch tonight. {verdict}
        Day {n} of keeping my sourdough starter alive. Its name is {name}.
        Best {dish} in town is at a tiny place with no sign. You know the one.
        Baking {bake} this weekend, wish me luck.
        Is {food} a breakfast food? Wrong answers only.
        Cooking tip: {tip}.
        """,
        dish="ramen | pad thai | shakshuka | lasagne | dumplings | pho | tacos al pastor",
        verdict="Worth every minute. | Ten out of ten, would burn my fingers again. "
        "| The kitchen is a crime scene. | My partner asked for seconds!",
        n="4 | 17 | 63 | 120",
        name="Bread Pitt | Clint Yeastwood | Doughlores | Yeastie Boy",
        bake="cinnamon rolls | a lemon tart | croissants | focaccia",
        food="cold pizza | soup | cake | leftover curry",
        tip="salt your pasta water like the sea | toast your spices first | let the meat rest "
        "| a squeeze of lemon fixes almost anything",
    ),
    "pets": _topic(
        "caturday dogsoftwitter",
        "Cat person 🐈 | Dog parent 🐕 | Owned by two cats",
        """
        My {pet} just {action}. I have never been prouder.
        {petname} has decided that {place} is her bed now.
        Vet says {petname} is "a little chonky". We are in denial.
        Nobody warned me that a {pet} would {habit}.
        Took {petname} to the park and she made {count} new friends.
        """,
        pet="cat | dog | puppy | kitten | rescue greyhound",
        action="learned to open the fridge | stole a whole sandwich | sat on command for the first time "
        "| knocked my coffee off the desk",
        petname="Miso | Biscuit | Luna | Pickles | Mochi | Pepper",
        place="my keyboard | the laundry basket | the exact middle of the bed | a box far too small",
        habit="wake me at 5am every single day | hate the vacuum this much | snore louder than me",
        count="three | five | zero",
    ),
    "running": _topic(
        "running marathon",
        "Runs slowly, often | Marathoner in training | Parkrun regular",
        """
        {distance} this morning at an easy pace. {feel}
        Signed up for {race}. What have I done.
        Rainy run today. The secret is {trick}.
        New personal best on the {distance}! {feel}
        Training week {n}: legs are {legs}, spirit is {spirit}.
        """,
        distance="5K | 10K | half marathon | 12 km | long run of 28 km",
        feel="Legs feel great. | Everything hurts. | Worth it for the sunrise. | Coffee is earned.",
        race="my first marathon | a trail 50K | the city half | a charity 10K",
        trick="just starting | good socks | not checking the weather",
        n="3 | 8 | 14",
        legs="tired | fine | made of concrete",
        spirit="strong | questionable | unbreakable",
    ),
    "outdoors": _topic(
        "hiking",
        "Happiest on a trail | Weekend hiker | Collects summits",
        """
        Hiked up to {place} today. The view was worth every step.
        Trail tip: {tip}.
        Three hours up, forty minutes down, one very happy {animal} spotted.
        Planning a {length} trek in {region}. Recommendations welcome!
        """,
        place="the lake | the old lookout tower | the ridge | the waterfall",
        tip="start earlier than you think | pack twice the water | the map is not the territory "
        "| always carry a snack",
        animal="marmot | deer | eagle | mountain goat",
        length="three-day | week-long | hut-to-hut",
        region="the Dolomites | Patagonia | the Lake District | Hokkaido | the Alps",
    ),
    "garden": _topic(
        "gardening climate",
        "Balcony gardener 🌱 | Grows too many tomatoes | Climate nerd",
        """
        First {crop} of the season! Tiny, but mine.
        The {pest} are winning. Send help.
        Planted {count} {plant} on the balcony. The neighbours think I'm starting a jungle.
        Small climate win: {win}.
        Composting update: {update}.
        """,
        crop="tomato | strawberry | courgette | chilli",
        pest="slugs | aphids | pigeons | snails",
        count="six | twelve | way too many",
        plant="herbs | sunflowers | bean plants | succulents",
        win="our street got twenty new trees | the office switched to a heat pump "
        "| I finally fixed the draughty window | our city added a bike lane",
        update="it smells fine, I promise | the worms are thriving | it's basically soil already",
    ),
    "photo": _topic(
        "photography sunset",
        "Photographer, mostly film | Always carries a camera 📷 | Chases golden hour",
        """
        Golden hour at {place} tonight. No filter needed.
        Shot a whole roll of {film} and {outcome}.
        Photography tip: {tip}.
        Got up at 5am for the light. The light did not show up.
        New lens day! {lens} and I are going to be friends.
        """,
        place="the harbour | the old bridge | the rooftop | the beach",
        film="Portra 400 | HP5 | Ektar | Cinestill 800T",
        outcome="only three frames came out, but what frames | I love every single one "
        "| forgot to take the lens cap off",
        tip="walk closer | turn around and shoot the scene behind you too "
        "| wait for someone to walk into the frame | underexpose a little",
        lens="A 35mm f/2 | A tiny 40mm pancake | A vintage 50mm",
    ),
    "books": _topic(
        "booktwitter amreading",
        "Reads too many books 📚 | Library card maximalist | Sci-fi reader",
        """
        Just finished {book}. I need a week to recover.
        Currently reading {book} and I keep underlining whole pages.
        Book club picked {book}. Hot takes welcome.
        Reading goal for this year: {count} books. Currently at {progress}.
        A good {genre} novel is the best cure for a bad week.
        """,
        book="Piranesi | The Left Hand of Darkness | Klara and the Sun | Project Hail Mary "
        "| A Psalm for the Wild-Built | Middlemarch | The Dispossessed",
        count="24 | 50 | 100",
        progress="7 | 19 | 31",
        genre="mystery | sci-fi | fantasy | historical",
    ),
    "music": _topic(
        "nowplaying vinyl",
        "Music nerd 🎧 | Record collector | Plays bass badly",
        """
        Can't stop listening to {artist} this week.
        Found a {record} at the flea market for {price}. Best day.
        {artist} live was unreal. My ears are still ringing.
        Unpopular opinion: {take}.
        Playlist for {mood}: mostly {genre} and a little bit of chaos.
        """,
        artist="Khruangbin | Björk | Nils Frahm | Little Simz | Bonobo | Fela Kuti | Caroline Polachek",
        record="first pressing of Blue Train | mint copy of Rumours | weird 70s jazz record",
        price="two euros | a fiver | basically nothing",
        take="album openers matter more than closers | the B-side is the real hit "
        "| live albums are underrated",
        mood="deep work | a rainy Sunday | late-night coding | cleaning the flat",
        genre="ambient | jazz | city pop | afrobeat",
    ),
    "travel": _topic(
        "travel",
        "Slow traveller ✈️ | Collects train tickets | Been to 30 countries",
        """
        Landed in {city}! First stop: {food}.
        Travel tip: {tip}.
        The night train to {city} is the best decision I've made this year.
        {count} hours delayed, but the airport bookshop is great.
        Back from {city} and already planning the next trip.
        """,
        city="Lisbon | Kyoto | Mexico City | Tbilisi | Hanoi | Oaxaca | Vienna | Marrakesh",
        food="pastéis de nata | street tacos | the market | a bowl of pho",
        tip="learn to say thank you in the local language | pack half the clothes "
        "| the second-best restaurant has no queue | walk everywhere on the first day",
        count="Two | Three | Five",
    ),
    "sports": _topic(
        "f1 nba worldcup",
        "Sports on the telly, always | Armchair strategist | Football, mostly",
        """
        What a finish! {team} did NOT make that easy.
        That strategy call at the {race} was {verdict}.
        {team} in the playoffs? Don't talk to me until it's over.
        Watching the match with {company}. Loud is an understatement.
        The referee decisions tonight were {verdict}.
        """,
        team="the Celtics | the Lakers | Arsenal | the Warriors | Brazil | Nigeria | Japan",
        race="Monaco Grand Prix | British Grand Prix | last pit stop",
        verdict="genius | baffling | questionable at best | the talk of the group chat",
        company="my entire family | the neighbours | two dogs and a cat",
    ),
    "movies": _topic(
        "movies",
        "Film buff 🎬 | Has opinions about movies | Letterboxd regular",
        """
        Just watched {film}. {verdict}
        Hot take: {take}.
        Rewatching {film} for the {nth} time. Still holds up.
        The cinema was empty for {film}. Best screening ever.
        """,
        film="Spirited Away | Arrival | Parasite | Past Lives | Mad Max: Fury Road "
        "| Everything Everywhere All at Once | In the Mood for Love",
        verdict="I'm speechless. | The soundtrack alone, wow. "
        "| Not sure what I just watched, but I loved it. | Overrated, fight me.",
        take="the trailer spoiled the whole film | 90 minutes is the perfect length "
        "| sequels can be better than the original",
        nth="third | fifth | tenth",
    ),
    "life": _topic(
        "mondaymotivation",
        "Trying my best | Professional overthinker | Living one coffee at a time",
        """
        Small win today: {win}.
        Reminder: {reminder}.
        Why does {thing} always happen on a Monday?
        Today's plan: {plan}. Reality: {reality}.
        Grateful for {grateful}.
        """,
        win="answered every email | drank enough water | finally called my grandma "
        "| inbox zero, for about four minutes",
        reminder="rest is productive too | you don't have to finish everything today | drink some water "
        "| it's okay to log off",
        thing="the printer jamming | the Wi-Fi dying | the bus being late",
        plan="deep work | clean the flat | go to the gym",
        reality="three naps | rearranged my bookshelf | watched cooking videos",
        grateful="friends who send memes at 2am | good neighbours | slow mornings",
    ),
}
TOPIC_NAMES = tuple(TOPICS)
# Users take up a topic as often as its hashtags are used.
TOPIC_WEIGHTS = tuple(sum(TAG_WEIGHT[tag] for tag in TOPICS[name]["tags"]) for name in TOPIC_NAMES)

# Japanese, Chinese and Korean: tweets (each with the topic its hashtags
# come from), replies, bios, cities and names (romanised given and family
# name, then as the owner writes it). Fullwidth punctuation is meant.
CJK_LINES = {
    "ja": (
        ("今日は雨なので、家でコーヒーを飲みながら本を読んでいます", "coffee"),
        ("週末は鎌倉まで歩いてきました。海がきれいだった！", "travel"),
        ("新しいレンズで夕焼けを撮ってみた", "photo"),
        ("やっとテストが全部通った…長い一日だった", "code"),
        ("猫がキーボードの上で寝ている", "pets"),
        ("ラーメンが食べたい。今すぐ。", "food"),
        ("今年こそ毎朝走る！", "running"),
        ("この曲、ずっとリピートしてる", "music"),
    ),
    "zh": (
        ("周末去爬山了，风景太美了！", "outdoors"),
        ("今天的咖啡特别好喝", "coffee"),
        ("终于把这本书读完了，强烈推荐", "books"),
        ("下班路上看到超美的晚霞", "photo"),
        ("这个bug我找了一下午…原来是时区问题", "code"),
        ("第一次自己做面包，居然成功了", "food"),
        ("今晚的比赛太精彩了！", "sports"),
    ),
    "ko": (
        ("오늘 저녁은 김치찌개", "food"),
        ("주말에 한강에서 자전거 탔어요", "outdoors"),
        ("이 노래 계속 듣고 있어요", "music"),
        ("드디어 금요일이다!", "life"),
        ("새 키보드 샀어요. 타건감 최고", "code"),
        ("고양이가 또 택배 상자에 들어갔어요", "pets"),
    ),
}
CJK_REPLIES = {
    "ja": _words("わかる！ すごい！ それな"),
    "zh": _words("太棒了！ 同意！"),
    "ko": _words("맞아요! 대박!"),
}
CJK_BIOS = {
    "ja": ("東京在住のエンジニア。コーヒーと猫が好き。", "写真とラーメンの日々。"),
    "zh": ("程序员，业余摄影师。", "喜欢读书和爬山。"),
    "ko": ("서울 사는 개발자. 커피 좋아해요.", "음악 듣고 사진 찍어요."),
}
CJK_CITIES = {
    "ja": _options("Tokyo | Osaka | Kyoto | 東京"),
    "zh": _options("Shanghai | Taipei | 北京"),
    "ko": _options("Seoul | Busan | 서울"),
}
EAST_ASIAN_NAMES = {
    "ja": (
        ("yuki", "tanaka", "田中ゆき"), ("haruto", "sato", "佐藤陽翔"), ("aoi", "suzuki", "鈴木あおい"),
        ("ren", "takahashi", "高橋蓮"), ("sakura", "ito", "伊藤さくら"), ("kenji", "watanabe", "渡辺健二"),
    ),
    "zh": (
        ("wei", "zhang", "张伟"), ("li", "wang", "王丽"), ("jing", "chen", "陈静"),
        ("hao", "liu", "刘浩"), ("mei", "lin", "林美"), ("jun", "huang", "黄俊"),
    ),
    "ko": (
        ("minji", "kim", "김민지"), ("jihoon", "park", "박지훈"), ("seoyeon", "lee", "이서연"),
        ("hyun", "choi", "최현"), ("sora", "jung", "정소라"),
    ),
}  # fmt: skip
SCRIPTS, SCRIPT_WEIGHTS = ("latin", "ja", "zh", "ko"), (85, 6, 5, 4)

FIRST_NAMES = _words(
    "Maria José Ana Lucas Sofia Liam Emma Noah Olivia Mateo Chloé Léa Jonas Anika Lars Freya Omar "
    "Amira Yusuf Leila Aarav Priya Rohan Ananya Kwame Ama Chidi Zara Tomás Inés Sam Alex Jordan "
    "Casey Riley Nina Marco Giulia Pavel Olga Mia Ethan Hannah Ben Grace Dev Ola Björn Søren Zoë "
    "Ingrid Diego Camila Kai Noor Fatima Elif Emre Aisha Tariq Lucía Joaquín Dara Niamh"
)
LAST_NAMES = _words(
    "Lopez García Müller Schmidt Rossi Silva Novak Kowalski Dubois Martin Nguyen Okafor Mensah "
    "Haddad Khan Patel Sharma Johansson Larsen O'Brien Murphy Smith Jones Brown Taylor Wilson "
    "Fischer Costa Ferreira Petrov Ivanova Andersson Moreau Bianchi Yılmaz Cohen Reyes Ortiz "
    "Hughes Walsh Adeyemi Mwangi Kaya Demir Santos Lindqvist"
)
HANDLE_WORDS = _words(
    "pixel coffee nerd runs codes bakes writes dev art studio cat moon fox owl tea vinyl trail "
    "lens byte loop notes draws makes plays reads lab club daily garden bike"
)
NAME_EMOJI = _words("🌱 ☕ ✨ 🏃 📷 🎧 🌍 🐈")
ROLES = _options(
    "Software engineer | Data scientist | Product designer | Nurse | Teacher | PhD student | Barista "
    "| Freelance photographer | Product manager | Journalist | Musician | Line cook | Librarian "
    "| Architect | Open source maintainer | UX researcher | SRE | Illustrator"
)
ORGS = ("", "", *_options("at a tiny startup | at the city library | at a nonprofit | at a design studio "
                          "| at a hospital | at a university | at a big bank"))  # fmt: skip
TAGLINES = _options(
    "Opinions are my own. | Views mine, typos too. | he/him | she/her | they/them | Probably outside. "
    "| Powered by coffee ☕ | Trying to touch grass more. | Learning in public. "
    "| Ask me about my sourdough. | Here for the hashtags."
)
LOCATIONS = _options(
    "Lisbon, Portugal | Berlin | Lagos | Accra | Toronto | São Paulo | Mexico City | Bengaluru | Nairobi "
    "| Cape Town | Melbourne | Brooklyn, NY | Austin, TX | Portland, OR | Dublin | Edinburgh | Paris "
    "| Barcelona | Stockholm | Kraków | Istanbul | Amsterdam | the internet | Earth 🌍 "
    "| probably on a train | somewhere with wifi"
)

REPLIES = _options(
    "Totally agree. | This is the way 🙌 | Hard disagree, but I see your point. | Source? "
    "| Saving this for later. | Ha, this made my day. | Can confirm. | Wait, really? 😮 | Underrated take. "
    "| 100% this. | I needed to hear this today. | Same here! | Thanks for sharing! "
    "| Not sure about that one 🤔 "
    "| Came here to say exactly this. | Tell me more! | Okay, but why is this so true? | You're not wrong. "
    "| Congrats!! 🎉"
)
QUOTES = _options(
    "This 👇 | Couldn't have said it better. | Big if true. | Everyone should read this. "
    "| Adding this to my list. | Counterpoint: | The replies to this are gold. "
    "| Can't stop thinking about this one. | Yes! And also:"
)
MENTIONS = _options("h/t @{u} | cc @{u} | thanks @{u}! | (via @{u}) | @{u} you'd love this | with @{u} 🙌")
LINKS = _options("Wrote it up: {url} | More here: {url} | {url} | Worth a read: {url}")
LINK_HOSTS = _words("example.com blog.example.org news.example.net photos.example.com docs.example.org")
EMOJI = _words("🎉 ✨ 🔥 😅 😂 🙌 ☕ 🌱 📚 🎧 📷 🌅 🚀 💡 🤔 ❤️ 👀 🧑‍💻")
