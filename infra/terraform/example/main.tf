# Example root: one Gatehouse stage's Cognito side. Copy it next to your other infrastructure, or run it here:
#   terraform init && terraform apply -var region=eu-west-1 -var stage=dev -var domain_prefix=acme-gatehouse-dev \
#     -var public_url=https://api.example.com -var frontend_url=https://app.example.com
#   terraform output -json | node ../../../scripts/terraform-env.js >> ../../../.env

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.30, < 7.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  description = "Region of the user pool (becomes AWS_REGION)."
  type        = string
  default     = "eu-west-1"
}

variable "stage" {
  description = "Stage name; deletion protection is on for every stage except dev, test and local."
  type        = string
  default     = "dev"
}

variable "domain_prefix" {
  description = "Hosted UI domain prefix (globally unique in the region)."
  type        = string
}

variable "public_url" {
  description = "Gatehouse's PUBLIC_URL; the Hosted UI returns to <public_url>/api/v1/auth/hosted/callback."
  type        = string
  default     = "http://localhost:3000"
}

variable "frontend_url" {
  description = "Gatehouse's FRONTEND_URL: the browser app (logout target and CORS origin)."
  type        = string
  default     = "http://localhost:5173"
}

variable "secrets_prefix" {
  description = "SECRETS_PREFIX, or null for no Secrets Manager access."
  type        = string
  default     = null
}

module "gatehouse" {
  source = "../"

  stage         = var.stage
  domain_prefix = var.domain_prefix
  callback_urls = ["${trimsuffix(var.public_url, "/")}/api/v1/auth/hosted/callback"]
  logout_urls   = [var.frontend_url]
  cors_origins  = [var.frontend_url]

  sms_mfa                       = false
  access_token_validity_minutes = 60
  id_token_validity_minutes     = 60
  refresh_token_validity_days   = 30
  secrets_prefix                = var.secrets_prefix

  tags = { app = "gatehouse", stage = var.stage }
}

output "gatehouse_env" {
  description = "Gatehouse's environment for this pool: `terraform output -json | node scripts/terraform-env.js`."
  value       = module.gatehouse.env
}

output "gatehouse_policy_arn" {
  description = "Attach this policy to the role Gatehouse runs as (or pass attach_policy_to_roles to the module)."
  value       = module.gatehouse.policy_arn
}
