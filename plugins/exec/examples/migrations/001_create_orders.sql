-- Example migration for the README: run with ephemeral credentials from `bella exec --provider`.
CREATE TABLE orders (
  id         bigserial PRIMARY KEY,
  customer   text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
