CREATE SCHEMA "app";
CREATE TYPE "app"."tier" AS ENUM ('new');
CREATE TABLE "app"."users" ("id" timestamptz, "name" "app"."tier" DEFAULT 'new' NOT NULL, CONSTRAINT "ck_users_1" CHECK ("name" <> 'new'));
