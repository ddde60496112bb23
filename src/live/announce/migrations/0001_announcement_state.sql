-- briefbot's announcement state in PostgreSQL ([state] url): what announcements.json holds,
-- one row per fact, so each change is a small transaction. Written only by the instance that
-- holds the announcer's advisory lock; read by `briefbot state export`.

-- One row once the state exists: its absence means the very first start (the rounds there
-- are then recorded, not announced). It also keeps the last failure told to the errors
-- channel.
CREATE TABLE briefbot_announcer (
    singleton        BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    reported_failure TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every round seen, by track: announced, or already there at the first start.
CREATE TABLE briefbot_known (
    track TEXT   NOT NULL,
    round BIGINT NOT NULL CHECK (round >= 0),
    PRIMARY KEY (track, round)
);

-- Announcements Discord has not confirmed yet, posted in `seq` order.
CREATE TABLE briefbot_pending (
    seq              BIGSERIAL NOT NULL,
    track            TEXT   NOT NULL,
    round            BIGINT NOT NULL CHECK (round >= 0),
    channel          BIGINT NOT NULL,
    -- Unix milliseconds of the first attempt: from then on the post may exist in Discord.
    first_attempt_ms BIGINT,
    -- The message (or forum post) Discord confirmed while its thread or crosspost is to come.
    message          BIGINT,
    card             TEXT,
    PRIMARY KEY (track, round, channel)
);

-- Announcements Discord confirmed, in the order they were, with what each message shows.
CREATE TABLE briefbot_delivered (
    seq         BIGSERIAL NOT NULL,
    track       TEXT    NOT NULL,
    round       BIGINT  NOT NULL CHECK (round >= 0),
    channel     BIGINT  NOT NULL,
    message     BIGINT  NOT NULL,
    card        TEXT,
    withdrawn   BOOLEAN NOT NULL DEFAULT FALSE,
    mode        TEXT    NOT NULL DEFAULT 'message' CHECK (mode IN ('message', 'thread', 'forum')),
    thread      BIGINT,
    crossposted BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (track, round, channel)
);
