"""The OMS listing of customers for business intelligence: `oms/customers/list-simple/`."""
