CREATE SCHEMA "app";
CREATE TABLE "app"."evt" ("d" date NOT NULL) PARTITION BY RANGE ("d");
CREATE TABLE "app"."evt_default" PARTITION OF "app"."evt" DEFAULT;
