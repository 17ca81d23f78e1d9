"""What several alarm test files share: a channel-layer group seen in Redis."""

import redis
from channels.layers import get_channel_layer
from django.conf import settings


def group_members(group: str) -> set[str]:
    """The channels in a channel-layer group, read straight from Redis."""
    layer = get_channel_layer()
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        return {member.decode() for member in client.zrange(layer._group_key(group), 0, -1)}
    finally:
        client.close()
