CREATE SCHEMA "app";
CREATE DOMAIN "app"."posint" AS integer NOT NULL;
CREATE TABLE "app"."users" ("id" "app"."posint" NOT NULL, "d" date NOT NULL, CONSTRAINT "pk_users" PRIMARY KEY ("id", "d")) PARTITION BY RANGE ("d");
CREATE TABLE "app"."users_default" PARTITION OF "app"."users" DEFAULT;
