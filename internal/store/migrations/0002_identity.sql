-- Whom each user reaches Kubernetes as (the console's identity rules applied
-- to what the sign-in provider said at their last sign-in); kube_groups is a
-- JSON list of strings. Empty for users from before: they sign in again.
ALTER TABLE users ADD COLUMN kube_user TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN kube_groups TEXT NOT NULL DEFAULT '[]';
