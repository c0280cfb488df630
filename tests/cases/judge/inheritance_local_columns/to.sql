create table parent (id bigserial, kind text not null, ref bigint not null);
create table child_a (constraint kind_a check (kind = 'A'), own text) inherits (parent);
create table child_b (kind text not null, constraint kind_b check (kind = 'B')) inherits (parent);
