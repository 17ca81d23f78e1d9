"""The load run's data, made inside the image: `entrypoint.sh manage shell -c` runs this file.

Students (no password: 42 students log in through the intra, so the run gives each an access
token, as the OAuth hand-off would) and a board of open rooms written by some of them. Prints one
line `SEED {json}`: the students (login, public id, access token), the rooms, and the hashed name
of the stylesheet. LOAD_STUDENTS and LOAD_ROOMS (environment of the shell) size it.

Nothing here is a way in: it runs with the image's own settings and database, as an operator's
`manage shell` would.
"""

import json
import os
import random
from datetime import timedelta

from django.contrib.staticfiles.storage import staticfiles_storage

from accounts.models import User
from accounts.tokens import issue_token_pair
from partner42.choices import CATEGORY_CONDITION_KINDS, CONDITION_ENUMS
from rooms import services

students_n = int(os.environ.get("LOAD_STUDENTS", "300"))
rooms_n = int(os.environ.get("LOAD_ROOMS", "60"))
rng = random.Random(42)

User.objects.bulk_create(
    User(
        username=f"load{i:04d}",
        nickname=f"load{i:04d}",
        email=f"load{i:04d}@student.42seoul.kr",
        campus="Seoul",
    )
    for i in range(students_n)
)
students = list(User.objects.filter(username__startswith="load").order_by("username"))
today = services.room_today()
rooms = []
for i in range(rooms_n):
    category = "MEAL" if i % 3 else "STUDY"
    conditions = {
        kind: rng.sample(list(CONDITION_ENUMS[kind].values), k=rng.randint(1, 2))
        for kind in CATEGORY_CONDITION_KINDS[category]
    }
    room = services.room_create(
        author=students[i % len(students)],
        category=category,
        title=f"부하 {i}: {'점심' if category == 'MEAL' else '스터디'} 같이 해요",
        content="같이 가요 " * rng.randint(5, 60),
        meeting_date=today + timedelta(days=rng.randint(1, 14)),
        anonymity=i % 5 == 0,
        # Small rooms fill up during the run: the capacity check is exercised, not just read.
        participant_num_max=rng.choice([2, 3, 4, 4, 6, 8, 12]),
        conditions=conditions,
    )
    rooms.append({"id": str(room.api_id), "author": str(room.author.api_id)})

print(
    "SEED",
    json.dumps(
        {
            "students": [
                {"login": s.username, "id": str(s.api_id), "token": issue_token_pair(user=s).access}
                for s in students
            ],
            "rooms": rooms,
            "stylesheet": staticfiles_storage.url("css/app.css"),
        }
    ),
)
