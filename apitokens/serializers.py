from rest_framework import serializers


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(write_only=True)
    password = serializers.CharField(
        write_only=True, style={"input_type": "password"}, trim_whitespace=False
    )


class LoginResponseSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
