CREATE SCHEMA "app";
CREATE TYPE "app"."mood" AS ENUM ('new', 'it''s');
