"""Slack both ways: the `/42partner` slash command and the buttons of the match notice.

- `verify`: every request from Slack is signed (signing secret, timestamp) and used once;
- `identity`: the Slack user -> our User with that confirmed email, or nobody;
- `commands`: `/42partner meal|study|cancel|rooms|help`;
- `interactions`: button presses (block_actions) through an action registry;
- `blocks`: Block Kit of the match notice;
- `views`: the two endpoints, /slack/commands and /slack/interactions.

See docs/alarms.md, "Slack both ways".
"""
