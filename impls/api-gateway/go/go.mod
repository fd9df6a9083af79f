module apigateway

go 1.27
