-- A later migration, run by another ephemeral user: it can alter the table because both users
-- act as the same owner role (`owner: app_owner` in the seed).
ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';
