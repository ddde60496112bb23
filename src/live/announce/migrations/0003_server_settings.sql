-- Servers' own announcement settings (`/setup`): per server and track, the channel new rounds
-- go to and the role they ping, as the server's admins chose them. Any instance writes here
-- (not only the announcer), each change in one transaction; every instance reads the table
-- every few seconds. A setting briefbot switched off keeps its value and says why.
CREATE TABLE briefbot_server_settings (
    server        BIGINT NOT NULL,
    track         TEXT   NOT NULL,
    channel       BIGINT,
    mode          TEXT   NOT NULL DEFAULT 'message' CHECK (mode IN ('message', 'thread', 'forum')),
    role          BIGINT,
    -- Why the channel, or the role, was switched off (deleted; briefbot removed from the server).
    channel_off   TEXT,
    role_off      TEXT,
    -- Who changed it last (a Discord user; 0 for briefbot itself), and when (Unix ms).
    changed_by    BIGINT NOT NULL DEFAULT 0,
    changed_at_ms BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (server, track)
);
