CREATE SCHEMA "app";
CREATE TYPE "app"."mood" AS ENUM ('new', 'open');
CREATE TYPE "app"."tier" AS ENUM ('new', 'open');
CREATE TABLE "app"."users" ("kind" "app"."mood");
