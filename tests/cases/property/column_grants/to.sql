CREATE SCHEMA "app";
CREATE TABLE "app"."users" ("Value" integer);
GRANT insert ("Value") ON TABLE "app"."users" TO "prop_reader";
GRANT select ("Value") ON TABLE "app"."users" TO "prop_writer";
