output "user_pool_id" {
  description = "COGNITO_USER_POOL_ID"
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "The pool's ARN (the resource of the policy)."
  value       = aws_cognito_user_pool.this.arn
}

output "client_id" {
  description = "COGNITO_CLIENT_ID (a public client: there is no COGNITO_CLIENT_SECRET)."
  value       = aws_cognito_user_pool_client.gatehouse.id
}

output "domain_url" {
  description = "COGNITO_DOMAIN: the Hosted UI's base URL."
  value       = "https://${aws_cognito_user_pool_domain.hosted_ui.domain}.auth.${local.region}.amazoncognito.com"
}

output "region" {
  description = "AWS_REGION: the pool's region."
  value       = local.region
}

output "policy_arn" {
  description = "ARN of the IAM policy to attach to Gatehouse's role."
  value       = aws_iam_policy.gatehouse.arn
}

# Gatehouse's environment, one entry per variable; null entries are not set. scripts/terraform-env.js turns
# `terraform output -json` of a root that re-exports this as gatehouse_env into .env lines.
output "env" {
  description = "Gatehouse's environment variables for this pool (null: leave unset)."
  value = {
    AUTH_PROVIDER        = "cognito"
    COGNITO_USER_POOL_ID = aws_cognito_user_pool.this.id
    COGNITO_CLIENT_ID    = aws_cognito_user_pool_client.gatehouse.id
    COGNITO_DOMAIN       = "https://${aws_cognito_user_pool_domain.hosted_ui.domain}.auth.${local.region}.amazoncognito.com"
    COGNITO_SCOPES       = join(" ", local.scopes)
    AWS_REGION           = local.region
    CORS_ORIGINS         = length(var.cors_origins) > 0 ? join(",", var.cors_origins) : null
    USE_SECRETS_MANAGER  = var.secrets_prefix == null ? null : "true"
    SECRETS_PREFIX       = var.secrets_prefix
    AWS_SECRETS_REGION   = var.secrets_prefix == null ? null : local.secrets_region
  }
}
