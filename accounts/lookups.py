"""`field__any=[ids]`: SQL `field = ANY(%s::bigint[])`, one array parameter.

Unlike `__in`, the SQL text is the same whatever the number of ids, so a
prepared statement is planned once per connection; unlike
`IN (SELECT unnest(...))`, the planner still sees a list it can look up in
an index (a ScalarArrayOp), not a subquery to hash-join against.
"""

from django.db.models import Field, Lookup


@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s::bigint[]", [[int(item) for item in value]]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
