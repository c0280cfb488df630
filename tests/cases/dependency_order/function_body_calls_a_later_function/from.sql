CREATE TABLE public.orders (id int);
INSERT INTO public.orders SELECT generate_series(1, 3);
