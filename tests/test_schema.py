"""The OpenAPI document (/api/v1/schema/) and the docs page (/api/v1/docs/), as a user sees them."""

import re

import pytest
from django.test import Client

SCHEMA_URL = "/api/v1/schema/"
DOCS_URL = "/api/v1/docs/"

# Every documented lookup of the customer list (CONTRACT.md, "Listing").
COMPARISONS = ["", "__gt", "__gte", "__lt", "__lte"]
DATE_LOOKUPS = [*COMPARISONS, *(f"__date{lookup}" for lookup in COMPARISONS)]
CUSTOMER_LIST_PARAMETERS = {
    *(f"{field}{lookup}" for field in ("created_date", "modified_date") for lookup in DATE_LOOKUPS),
    *(f"{field}{lookup}" for field in ("id", "pk") for lookup in COMPARISONS),
    "pk__in",
    "channel",
    "email",
    "email__startswith",
    "first_name",
    "last_name",
    "phone_number",
    "channel_code",
    "erp_code",
    "is_active",
    "email_allowed",
    "sms_allowed",
    "call_allowed",
    "date_joined",
    "gender",
    "user_type",
    "date_of_birth",
    "attributes__some_key",
    "extra_field__some_key",
    "mapping",
    "sort",
    "page",
    "limit",
}
# The documented filters of the OMS list-simple (CONTRACT.md, "OMS list-simple").
OMS_LIST_SIMPLE = "/api/v1/oms/customers/list-simple/"
OMS_LIST_SIMPLE_PARAMETERS = {
    *(f"id{lookup}" for lookup in COMPARISONS[1:]),
    *(f"modified_date{lookup}" for lookup in COMPARISONS),
    "first_name",
    "last_name",
    "email",
    "phone_number",
    "erp_code",
    "channel_id",
    "sort",
    "page",
    "limit",
    "format",
}
JSON_OBJECT_FIELDS = [
    "extra_field",
    "attributes",
    "attributes_kwargs",
    "localized_attributes",
    "localized_attributes_kwargs",
]


@pytest.fixture
def schema(api) -> dict:
    response = api.get(SCHEMA_URL, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def parameters(operation: dict) -> dict[str, dict]:
    return {parameter["name"]: parameter for parameter in operation["parameters"]}


def component(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"][name]


@pytest.mark.django_db
def test_schema_needs_a_token():
    response = Client().get(SCHEMA_URL)

    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.django_db
def test_schema_refuses_a_bad_token():
    response = Client().get(SCHEMA_URL, HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code == 401


def test_schema_is_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"]
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"


def test_customer_list_documents_every_filter_of_the_contract(schema):
    documented = parameters(schema["paths"]["/api/v1/customers/"]["get"])

    assert not CUSTOMER_LIST_PARAMETERS - set(documented)
    assert all(documented[name]["in"] == "query" for name in CUSTOMER_LIST_PARAMETERS)


def test_customer_list_parameters_say_what_values_they_take(schema):
    documented = parameters(schema["paths"]["/api/v1/customers/"]["get"])

    assert documented["channel"]["schema"] == {"type": "array", "items": {"type": "integer"}}
    assert documented["channel"]["explode"] is True
    assert documented["created_date__gt"]["schema"]["format"] == "date-time"
    assert documented["created_date__date__lte"]["schema"]["format"] == "date"
    assert documented["is_active"]["schema"]["type"] == "boolean"
    assert set(documented["gender"]["schema"]["enum"]) >= {"male", "female"}
    assert documented["limit"]["schema"]["minimum"] == 1
    assert "1000" in documented["limit"]["description"]
    # django-filter reads `?email=` as "no filter"; `?limit=` and `?channel=` are 400s.
    assert documented["email"]["allowEmptyValue"] is True
    assert "allowEmptyValue" not in documented["limit"]
    assert "allowEmptyValue" not in documented["channel"]


def test_customer_component_uses_the_real_field_names(schema):
    customer = component(schema, "Customer")["properties"]

    assert not {"pk", "attributes_kwargs", "localized_attributes_kwargs"} - set(customer)
    assert "attribute_kwargs" not in customer
    assert "id" not in customer
    assert customer["pk"]["readOnly"] is True


def test_json_fields_are_documented_as_objects(schema):
    customer = component(schema, "CustomerRequest")["properties"]
    channel = component(schema, "ChannelRequest")["properties"]

    for name in JSON_OBJECT_FIELDS:
        assert customer[name]["type"] == "object", name
        assert not customer[name].get("nullable"), name
    assert channel["conf"]["type"] == "object"
    assert channel["schema"]["type"] == "object"
    assert channel["schema"]["nullable"] is True


def test_customer_create_requires_the_identity_fields(schema):
    assert set(component(schema, "CustomerRequest")["required"]) == {
        "channel",
        "channel_code",
        "email",
    }
    # The channel route takes the channel from the URL.
    assert set(component(schema, "ChannelCustomerRequest")["required"]) == {
        "channel_code",
        "email",
    }


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize(
    "path", ["/api/v1/customers/{id}/", "/api/v1/channel/{channel_id}/customers/{id}/"]
)
def test_customer_updates_document_the_channel_change_406(schema, path, method):
    responses = schema["paths"][path][method]["responses"]

    assert "406" in responses
    assert "customer_100_3" in responses["406"]["description"]
    documented = responses["406"]["content"]["application/json"]["schema"]["$ref"]
    alternatives = component(schema, documented.rsplit("/", 1)[1])["oneOf"]
    assert {"$ref": "#/components/schemas/ChannelChangeError"} in alternatives


@pytest.mark.parametrize(
    "path", ["/api/v1/customers/", "/api/v1/customers/detailed/", "/api/v1/channels/"]
)
def test_lists_document_the_400_and_the_404_past_the_end(schema, path):
    responses = schema["paths"][path]["get"]["responses"]

    assert not {"200", "400", "401", "403", "404"} - set(responses)


def test_writes_document_the_unsupported_media_type(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                assert "415" in operation["responses"], f"{method.upper()} {path}"


def test_every_operation_documents_its_error_bodies_as_json(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    assert "application/json" in response["content"], f"{method} {path} {code}"


def test_oms_list_simple_documents_its_filters_sort_and_formats(schema):
    documented = parameters(schema["paths"][OMS_LIST_SIMPLE]["get"])

    assert set(documented) == OMS_LIST_SIMPLE_PARAMETERS
    assert all(parameter["in"] == "query" for parameter in documented.values())
    assert set(documented["sort"]["schema"]["items"]["enum"]) == {
        "id",
        "-id",
        "modified_date",
        "-modified_date",
    }
    assert set(documented["format"]["schema"]["enum"]) == {"json", "csv", "xls"}
    assert documented["channel_id"]["schema"]["type"] == "integer"
    assert documented["id__gt"]["schema"]["type"] == "integer"
    assert documented["modified_date__lte"]["schema"]["format"] == "date-time"


def test_oms_list_simple_documents_its_answers(schema):
    responses = schema["paths"][OMS_LIST_SIMPLE]["get"]["responses"]

    assert set(responses["200"]["content"]) == {"application/json", "text/csv", "application/xls"}
    assert not {"400", "401", "403", "404", "406"} - set(responses)
    page = component(schema, "PaginatedOmsCustomerList")["properties"]
    assert page["count"]["type"] == "integer" and "estimate" in page["count"]["description"]
    assert list(component(schema, "OmsCustomer")["properties"]) == [
        "id",
        "created_date",
        "modified_date",
        "omnitron_id",
        "email",
        "first_name",
        "last_name",
        "phone_number",
        "erp_code",
        "channel",
    ]


@pytest.mark.django_db
def test_docs_page_is_public_and_served_offline():
    client = Client()

    response = client.get(DOCS_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn.jsdelivr" not in html
    assert "unpkg" not in html
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    assert all(not re.match(r"(https?:)?//", url) for url in re.findall(r'src="([^"]+)"', html))
    # The page loads the document from this API.
    assert SCHEMA_URL in html


@pytest.mark.django_db
def test_docs_assets_are_served_by_the_app():
    client = Client()
    html = client.get(DOCS_URL).content.decode()
    bundle = next(
        asset
        for asset in re.findall(r'src="(/static/[^"]+)"', html)
        if asset.endswith("swagger-ui-bundle.js")
    )

    response = client.get(bundle)

    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
