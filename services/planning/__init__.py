"""A Trust's Plan-Do-Study-Act implementation plans (aim and target, stakeholders, driver diagram, future-state
process map, launch, measures, PDSA cycles), its workforce model and rotation cohort, and the roster of who
is eligible in each role, fed by certificate.* events, named by the names and staff numbers of user.*
events, with leavers (user.deactivated) ineligible; published to outside systems as the public
roster.updated."""
