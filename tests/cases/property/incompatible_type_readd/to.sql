CREATE SCHEMA "app";
CREATE TABLE "app"."users" ("created at" integer);
