variable "stage" {
  description = "Stage name (dev, staging, prod, ...): part of every resource name, and decides deletion protection unless deletion_protection is set."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,30}$", var.stage))
    error_message = "stage must be lowercase letters, digits and hyphens (at most 31 characters)."
  }
}

variable "dev_stages" {
  description = "Stages treated as development: no deletion protection there unless deletion_protection says otherwise."
  type        = list(string)
  default     = ["dev", "test", "local"]
}

variable "deletion_protection" {
  description = "Deletion protection on the user pool. null (the default): on for every stage not in dev_stages."
  type        = bool
  default     = null
}

variable "callback_urls" {
  description = "Hosted UI callback URLs: Gatehouse's <PUBLIC_URL>/api/v1/auth/hosted/callback (or OIDC_REDIRECT_URI)."
  type        = list(string)

  validation {
    condition     = length(var.callback_urls) > 0 && alltrue([for u in var.callback_urls : can(regex("^(https://|http://localhost[:/])", u))])
    error_message = "callback_urls needs at least one URL; each must be https:// (http:// only for localhost)."
  }
}

variable "logout_urls" {
  description = "Hosted UI sign-out URLs: Gatehouse's FRONTEND_URL (the logout_uri it sends)."
  type        = list(string)

  validation {
    condition     = alltrue([for u in var.logout_urls : can(regex("^(https://|http://localhost[:/])", u))])
    error_message = "each logout URL must be https:// (http:// only for localhost)."
  }
}

variable "cors_origins" {
  description = "Browser origins allowed to call Gatehouse (its CORS_ORIGINS; also the Origin a cookie-authenticated write must carry)."
  type        = list(string)
  default     = []
}

variable "domain_prefix" {
  description = "Hosted UI domain prefix: <prefix>.auth.<region>.amazoncognito.com. Globally unique per region."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", var.domain_prefix)) && !can(regex("aws|amazon|cognito", var.domain_prefix))
    error_message = "domain_prefix: lowercase letters, digits and inner hyphens, without aws, amazon or cognito."
  }
}

variable "sms_mfa" {
  description = "Offer SMS as a second factor besides TOTP (creates an IAM role Cognito uses to send through SNS). TOTP is always on."
  type        = bool
  default     = false
}

variable "access_token_validity_minutes" {
  description = "Access token lifetime in minutes (5 to 1440). Gatehouse revokes on sign-out and reset, but services verifying offline trust a token until it expires."
  type        = number
  default     = 60

  validation {
    condition     = var.access_token_validity_minutes >= 5 && var.access_token_validity_minutes <= 1440
    error_message = "access_token_validity_minutes must be from 5 to 1440."
  }
}

variable "id_token_validity_minutes" {
  description = "ID token lifetime in minutes (5 to 1440)."
  type        = number
  default     = 60

  validation {
    condition     = var.id_token_validity_minutes >= 5 && var.id_token_validity_minutes <= 1440
    error_message = "id_token_validity_minutes must be from 5 to 1440."
  }
}

variable "refresh_token_validity_days" {
  description = "Refresh token lifetime in days (1 to 3650)."
  type        = number
  default     = 30

  validation {
    condition     = var.refresh_token_validity_days >= 1 && var.refresh_token_validity_days <= 3650
    error_message = "refresh_token_validity_days must be from 1 to 3650."
  }
}

variable "secrets_prefix" {
  description = "Gatehouse's SECRETS_PREFIX (e.g. gatehouse/prod/). When set, the policy also allows secretsmanager:GetSecretValue on secrets under it (and ListSecrets, which cannot be scoped). null: no Secrets Manager access."
  type        = string
  default     = null

  validation {
    condition     = var.secrets_prefix == null || can(regex("^[A-Za-z0-9/_+=.@-]+$", var.secrets_prefix))
    error_message = "secrets_prefix must be a non-empty secret name prefix without wildcards (an empty prefix would grant every secret)."
  }
}

variable "secrets_region" {
  description = "Region of the secrets (Gatehouse's AWS_SECRETS_REGION). null: the pool's region."
  type        = string
  default     = null
}

variable "ses_source_arn" {
  description = "ARN of a verified SES identity to send Cognito's mails from. null: Cognito's default sender (a low daily quota, fine for dev)."
  type        = string
  default     = null
}

variable "from_email_address" {
  description = "From address for Cognito's mails when ses_source_arn is set, e.g. \"Gatehouse <no-reply@example.com>\"."
  type        = string
  default     = null
}

variable "attach_policy_to_roles" {
  description = "Names of IAM roles (e.g. the ECS task role) to attach Gatehouse's policy to. The policy's ARN is an output either way."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
