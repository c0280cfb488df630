CREATE SCHEMA "app";
CREATE TABLE "app"."users" ("id" integer NOT NULL, "d" date NOT NULL, CONSTRAINT "pk_users" PRIMARY KEY ("id", "d")) PARTITION BY RANGE ("d");
CREATE TABLE "app"."users_default" PARTITION OF "app"."users" DEFAULT;
