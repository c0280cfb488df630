CREATE TABLE app.t (id uuid PRIMARY KEY, price money);  -- expect: TY103@48
