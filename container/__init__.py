"""The container: stateless query (/search/) and document (/document/v1/) APIs."""
