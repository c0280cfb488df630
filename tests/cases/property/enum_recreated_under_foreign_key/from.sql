CREATE SCHEMA "app";
CREATE TYPE "app"."mood" AS ENUM ('open', 'new');
CREATE TABLE "app"."Order" ("id" "app"."mood", CONSTRAINT "pk_Order" PRIMARY KEY ("id"));
CREATE TABLE "app"."users" ("id" integer, "user" "app"."mood");
ALTER TABLE "app"."users" ADD CONSTRAINT "fk_users_1" FOREIGN KEY ("user") REFERENCES "app"."Order" ("id");
