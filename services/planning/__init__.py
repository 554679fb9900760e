"""Planning: the Trust's PDSA implementation plan, its workforce model and the roster of who is eligible."""
