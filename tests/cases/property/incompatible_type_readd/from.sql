CREATE SCHEMA "app";
CREATE TYPE "app"."Status" AS ENUM ('new');
CREATE TABLE "app"."users" ("created at" "app"."Status");
