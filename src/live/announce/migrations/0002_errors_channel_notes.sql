-- Notes to the errors channel (a failed reload, the briefs fixed, rounds or edits held back),
-- recorded when their event happens and deleted once Discord confirms the post: each event's
-- note is made once, across restarts and takeovers. What the state file keeps in `notes`.
CREATE TABLE briefbot_notes (
    seq              BIGSERIAL NOT NULL,
    -- The event the note tells of: one waiting note per event.
    key              TEXT   NOT NULL PRIMARY KEY,
    -- The message to post, as Discord's JSON body.
    message          TEXT   NOT NULL,
    -- Unix milliseconds of the first attempt: from then on the post may exist in Discord.
    first_attempt_ms BIGINT
);
