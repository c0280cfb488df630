CREATE SCHEMA "app";
CREATE TABLE "app"."users" ("Value" integer);
