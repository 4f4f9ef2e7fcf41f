-- What a kept summary needs beside its text: who it was made as (a digest
-- of the Kubernetes user and groups, so a summary made before a change of
-- rights is not shown after it), the tools it read, and the last attempt
-- to make one with why it made none, so a failing model is asked at most
-- once an interval.
ALTER TABLE ai_summaries ADD COLUMN identity TEXT NOT NULL DEFAULT '';
ALTER TABLE ai_summaries ADD COLUMN read TEXT NOT NULL DEFAULT '[]'; -- JSON list of tool names
ALTER TABLE ai_summaries ADD COLUMN tried INTEGER NOT NULL DEFAULT 0; -- Unix seconds
ALTER TABLE ai_summaries ADD COLUMN note TEXT NOT NULL DEFAULT '';
UPDATE ai_summaries SET tried = created;
