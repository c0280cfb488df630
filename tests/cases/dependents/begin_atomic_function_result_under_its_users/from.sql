create schema app;
CREATE FUNCTION "app"."score"("v" integer) RETURNS integer LANGUAGE sql IMMUTABLE BEGIN ATOMIC SELECT "v" + 1; END;
CREATE TABLE "app"."t" ("id" integer, "fn b" integer DEFAULT "app"."score"(2), CONSTRAINT "ck fn" CHECK ("app"."score"("id") > -1000));
CREATE INDEX "ix fn" ON "app"."t" ("id") WHERE "app"."score"("id") > 0;
CREATE VIEW "app"."v" AS SELECT "id", "app"."score"("id") AS "fn" FROM "app"."t";
