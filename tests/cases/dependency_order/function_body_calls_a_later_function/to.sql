-- z_part sorts after the functions calling it: the engine creates functions by name.
CREATE FUNCTION public.z_part() RETURNS text LANGUAGE plpgsql AS $$BEGIN RETURN 'x'; END$$;
CREATE FUNCTION public.a_code() RETURNS text LANGUAGE plpgsql AS $$BEGIN RETURN z_part() || '1'; END$$;
CREATE FUNCTION public.b_ok(v int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  part text;
BEGIN
  part := z_part();
  RETURN part IS NOT NULL AND v > 0;
END$$;
CREATE FUNCTION public.y_factor() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 2';
CREATE FUNCTION public.c_double(v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT v * public.y_factor()';
CREATE TABLE public.orders (
  id int CHECK (b_ok(id)),
  code text DEFAULT a_code(),
  doubled int GENERATED ALWAYS AS (c_double(id)) STORED
);
CREATE INDEX orders_ok ON public.orders (id) WHERE b_ok(id);
