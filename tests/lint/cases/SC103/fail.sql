CREATE TABLE public.t (id uuid PRIMARY KEY);  -- expect: SC103@14
SET search_path TO public;
CREATE TABLE u (id uuid PRIMARY KEY);  -- expect: SC103@14
